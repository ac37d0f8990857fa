import type { ApiFailure } from './api-types';

/** A failure as the recruiter should read it: what happened and what to do next. */
export type FailureAdvice = { title: string; action: string; detail?: string; settings: boolean };

export function describeFailure(failure: ApiFailure): FailureAdvice {
  const detail = failure.message || undefined;
  switch (failure.kind) {
    case 'unreachable':
      return {
        title: `Can't reach the Fulcrum backend${failure.backendUrl ? ` at ${failure.backendUrl}` : ''}.`,
        action: 'Start the backend with npm start, or check the URL in Settings.',
        detail,
        settings: true,
      };
    case 'no_token':
      return {
        title: 'No recruiter token yet.',
        action:
          'Paste a valid token in Settings (create one with npm run cli -- recruiters add EMAIL --role recruiter).',
        settings: true,
      };
    case 'unauthorized':
      return {
        title: 'Your recruiter token was rejected.',
        action: 'Paste a valid token in Settings.',
        detail,
        settings: true,
      };
    case 'forbidden':
      return {
        title: 'Your account may not do this.',
        action: 'Ask a Fulcrum admin for access.',
        detail,
        settings: false,
      };
    case 'no_lever_access':
      return {
        title: 'Your Fulcrum account is not linked to an active Lever user.',
        action:
          'Fulcrum shows you what your Lever role lets you see, by your email. Ask a Fulcrum admin to add you with the email of your Lever account.',
        detail,
        settings: false,
      };
    case 'lever_permission':
      return {
        // The backend usually phrases it fully ("The Lever API key does not have permission for …"); keep its words.
        title:
          detail && /lever api key/i.test(detail)
            ? detail
            : `The Lever API key lacks permission for ${detail ?? 'this action'}.`,
        action: 'Ask your Lever admin (a Super Admin) to grant that permission to the API key the backend uses.',
        settings: false,
      };
    case 'lever_auth':
      return {
        title: 'Lever rejected the backend’s API key.',
        action: 'Ask your admin to check the Lever API key configured in the backend.',
        detail,
        settings: false,
      };
    case 'lever_unavailable':
      return { title: 'Lever is not answering right now.', action: 'Try again in a minute.', detail, settings: false };
    case 'resume_unreadable':
      return {
        // The backend's words say which limit ("could not be read in time", "expands to more than 64 MB").
        title: detail ?? 'The candidate’s résumé could not be read.',
        action:
          'Fulcrum did not score this candidate. Open the résumé in Lever and review it yourself; retrying will not change the result.',
        settings: false,
      };
    case 'rate_limited':
      return { title: 'Too many requests.', action: 'Wait a few seconds, then try again.', detail, settings: false };
    case 'not_found':
      // The backend answers 404 both for what does not exist and for what the recruiter's Lever role may not see
      // (a confidential candidate, a posting they are not on), so the advice names both.
      return {
        title: 'Not found, or not visible to you.',
        action:
          'It may have been deleted or merged in Lever, or your Lever role does not give you access to it (a confidential candidate, or one you are not on). Reload the Lever page, or ask its owner or a Lever admin for access.',
        detail,
        settings: false,
      };
    case 'invalid_response':
      return {
        title: 'The backend answered in a format this extension does not understand.',
        action: 'Update the extension and the backend to the same version.',
        detail,
        settings: false,
      };
    case 'invalid_request':
    case 'conflict':
      return {
        title: 'The backend refused the request.',
        action: 'Check the input and try again.',
        detail,
        settings: false,
      };
    case 'opted_out':
      return {
        title: 'This candidate opted out of automated assessment.',
        action: 'Review their application yourself; Fulcrum offers only manual tools for them.',
        settings: false,
      };
    case 'extension':
      return {
        title: 'The extension could not complete the request.',
        action: 'Reload the panel.',
        detail,
        settings: false,
      };
    default:
      return {
        title: 'The backend failed.',
        action: 'Try again; if it keeps failing, check the backend logs.',
        detail,
        settings: false,
      };
  }
}
