/** OFFER_HOLIDAYS ("2027-01-01, 2027-12-25") as a list of YYYY-MM-DD days. */
export function holidaysOf(config: { OFFER_HOLIDAYS: string }): string[] {
  return config.OFFER_HOLIDAYS.split(',')
    .map((d) => d.trim())
    .filter(Boolean);
}
