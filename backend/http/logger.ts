import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs. Fields are an allow-list by convention: ids, status, latency, codes. Never names, emails,
 * resume, note or proposal text. The redact paths are a second line of defence for anything passed by mistake.
 */
export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'fulcrum-backend' },
      redact: {
        paths: [
          'name',
          'email',
          'emails',
          'text',
          'note',
          'resume',
          'payload',
          '*.name',
          '*.email',
          '*.text',
          'headers.authorization',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}

export type { Logger };
