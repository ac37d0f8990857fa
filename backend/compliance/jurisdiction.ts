import type { JurisdictionId } from '../../utils/contracts/compliance.ts';

/**
 * Which AI-in-hiring rules a posting's location brings in, from what Lever says about it: `categories.location`,
 * `categories.allLocations[]` and `country`. Deliberately plain pattern matching on place names (no geocoding, no
 * network): what matched is returned with each jurisdiction so the recruiter can see why, and anything unmatched
 * falls back to the generic notice with a note. Inputs are bounded (60 locations of 200 characters) and every pattern
 * is a flat alternation, so the work is linear in the text.
 */

export type RegulatedJurisdiction = Exclude<JurisdictionId, 'generic'>;

export const JURISDICTION_NAMES: Record<JurisdictionId, string> = {
  generic: 'Every location',
  'nyc-ll144': 'New York City (Local Law 144)',
  'illinois-hb3773': 'Illinois (HB 3773, Human Rights Act)',
  'colorado-ai-act': 'Colorado (AI Act, SB 24-205 as amended by SB 26-189)',
  'california-ads': 'California (automated-decision systems rules)',
  'eu-ai-act': 'European Union (AI Act)',
};

export type PostingLocation = { location: string | null; allLocations: string[]; country: string | null };

export type JurisdictionMatch = { id: RegulatedJurisdiction; matched: string };

export type JurisdictionResult = {
  location: PostingLocation;
  jurisdictions: JurisdictionMatch[];
  notes: string[];
};

const MAX_LOCATIONS = 60;
const MAX_CHARS = 200;

const EU_COUNTRY_CODES = new Set(
  'AT BE BG HR CY CZ DK EE FI FR DE GR EL HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE'.split(' '),
);

const EU_COUNTRIES =
  /\b(?:european union|austria|belgium|bulgaria|croatia|cyprus|czechia|czech republic|denmark|estonia|finland|france|germany|deutschland|greece|hungary|ireland|italy|latvia|lithuania|luxembourg|malta|netherlands|the netherlands|poland|portugal|romania|slovakia|slovenia|spain|sweden)\b/i;
const EU_CITIES =
  /\b(?:berlin|munich|m\u00fcnchen|hamburg|frankfurt|cologne|stuttgart|paris|lyon|marseille|toulouse|amsterdam|rotterdam|the hague|eindhoven|utrecht|dublin|cork|galway|madrid|barcelona|valencia|lisbon|porto|milan|rome|turin|vienna|brussels|antwerp|stockholm|gothenburg|copenhagen|helsinki|warsaw|krak\u00f3w|krakow|wroc\u0142aw|wroclaw|prague|brno|budapest|athens|bucharest|sofia|zagreb|ljubljana|bratislava|tallinn|riga|vilnius|valletta|nicosia)\b/i;

const NYC =
  /\b(?:new york city|nyc|manhattan|brooklyn|queens|the bronx|bronx|staten island|new york,\s*ny|new york,\s*new york)\b/i;
const NEW_YORK_ALONE = /^\s*new york\s*(?:,\s*(?:us|usa|united states))?\s*$/i;

const ILLINOIS = /\b(?:illinois|chicago|naperville|evanston|rockford|joliet|peoria|schaumburg|springfield,\s*il)\b/i;
const COLORADO =
  /\b(?:colorado|denver|boulder|fort collins|colorado springs|aurora,\s*co|lakewood,\s*co|golden,\s*co)\b/i;
const CALIFORNIA =
  /\b(?:california|san francisco|los angeles|san diego|san jose|oakland|sacramento|palo alto|mountain view|sunnyvale|santa clara|cupertino|menlo park|redwood city|berkeley|santa monica|irvine|pasadena|long beach|fresno|bay area|silicon valley)\b/i;
/** A US state code after a comma ("Austin, TX"); case-sensitive so "co-located" or "ca." are not states. */
const STATE_CODE = /,\s*(IL|CO|CA|NY)\b/;
const US_PLACE =
  /,\s*(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|USA?|United States)\b/;
const REMOTE = /\b(?:remote|anywhere|distributed|work from home|wfh)\b/i;
const EUROPE_WIDE = /\b(?:europe|emea|eu)\b/i;

const clip = (s: string) => s.slice(0, MAX_CHARS);

function readLocation(posting: {
  categories?: { location?: string | null; allLocations?: string[] | null } | null;
  country?: string | null;
}): PostingLocation {
  const location = posting.categories?.location?.trim() ? clip(posting.categories.location.trim()) : null;
  const all = (posting.categories?.allLocations ?? [])
    .slice(0, MAX_LOCATIONS)
    .map((l) => clip(String(l).trim()))
    .filter(Boolean);
  const country = posting.country?.trim() ? posting.country.trim().slice(0, 10).toUpperCase() : null;
  return { location, allLocations: [...new Set(all)], country };
}

/** The jurisdictions one place name brings in, with the text that matched. `country` disambiguates ", CA". */
function matchPlace(place: string, country: string | null): JurisdictionMatch[] {
  const out: JurisdictionMatch[] = [];
  const add = (id: RegulatedJurisdiction, matched: string) => {
    if (!out.some((m) => m.id === id)) out.push({ id, matched });
  };
  const nyc = NYC.exec(place) ?? NEW_YORK_ALONE.exec(place);
  if (nyc) add('nyc-ll144', nyc[0].trim());
  const il = ILLINOIS.exec(place);
  if (il) add('illinois-hb3773', il[0]);
  const co = COLORADO.exec(place);
  if (co) add('colorado-ai-act', co[0]);
  const ca = CALIFORNIA.exec(place);
  if (ca) add('california-ads', ca[0]);
  const state = STATE_CODE.exec(place);
  // A posting in Canada (country CA) writes provinces after the comma; "CA" there is the country, not California.
  if (state && (country === null || country === 'US')) {
    const code = state[1];
    if (code === 'IL') add('illinois-hb3773', state[0].replace(/^,\s*/, ''));
    if (code === 'CO') add('colorado-ai-act', state[0].replace(/^,\s*/, ''));
    if (code === 'CA') add('california-ads', state[0].replace(/^,\s*/, ''));
    // ", NY" alone is New York State; only New York City has LL144, so it needs the city name (matched above).
  }
  // "Dublin, CA" and "Paris, TX" are American towns: a European city name alone counts only outside the US.
  const euCountry = EU_COUNTRIES.exec(place);
  const euCity = EU_CITIES.exec(place);
  if (euCountry && !US_PLACE.test(place)) add('eu-ai-act', euCountry[0]);
  else if (euCity && country !== 'US' && !US_PLACE.test(place)) add('eu-ai-act', euCity[0]);
  return out;
}

export function jurisdictionsOf(posting: {
  categories?: { location?: string | null; allLocations?: string[] | null } | null;
  country?: string | null;
}): JurisdictionResult {
  const location = readLocation(posting);
  const places = [...new Set([location.location, ...location.allLocations].filter((p): p is string => !!p))];
  const found: JurisdictionMatch[] = [];
  const add = (m: JurisdictionMatch) => {
    if (!found.some((f) => f.id === m.id)) found.push(m);
  };
  for (const place of places) for (const m of matchPlace(place, location.country)) add(m);
  if (location.country && EU_COUNTRY_CODES.has(location.country)) add({ id: 'eu-ai-act', matched: location.country });

  const notes: string[] = [];
  if (places.length === 0 && !location.country) {
    notes.push(
      'The posting has no location or country in Lever, so no jurisdiction could be determined: the generic notice is shown. Set the location in Lever, or check which rules apply where your candidates are.',
    );
  } else if (found.length === 0) {
    const where = [...places, ...(location.country ? [`country ${location.country}`] : [])].join('; ');
    notes.push(
      `No jurisdiction-specific rule matched the posting's location (${where}): the generic notice is shown. Fulcrum recognises New York City, Illinois, Colorado, California and the EU member states by name.`,
    );
  }
  if (places.some((p) => REMOTE.test(p))) {
    notes.push(
      'This is a remote role: the rules of the place where each candidate lives may apply too (New York City, Illinois, Colorado, California, the EU), whatever the posting says.',
    );
  }
  if (!found.some((f) => f.id === 'eu-ai-act') && places.some((p) => EUROPE_WIDE.test(p))) {
    notes.push(
      'The location names Europe or EMEA without a country: if candidates may be in the EU, the EU AI Act section applies. Add the countries to the posting in Lever, or give the EU section yourself.',
    );
  }
  return { location, jurisdictions: found, notes };
}
