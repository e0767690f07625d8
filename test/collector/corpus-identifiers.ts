/**
 * National identifiers and bank account numbers for the redaction corpus (corpus.ts sends them in every place, bare
 * and embedded in text): the gateway's checksummed value rules (docs/pipeline.md, "Redaction rules"). Every sample
 * carries a valid check digit or letter; the rules leave the same shapes with a wrong one alone.
 */
export const IDENTIFIER_KINDS = [
  {
    kind: "IBAN",
    key: "payment.account",
    embed: true,
    samples: [
      { value: "DE89 3704 0044 0532 0130 00" },
      { value: "GB82WEST12345698765432" },
      { value: "FR1420041010050500013M02606" },
    ],
  },
  {
    kind: "national identifier",
    key: "customer.national_id",
    embed: true,
    samples: [
      { value: "536-22-1234" }, // US SSN
      { value: "AB 12 34 56 C" }, // UK NINO
      { value: "1 84 12 76 451 089 46" }, // French NIR
      { value: "12345678Z" }, // Spanish DNI
      { value: "X1234567L" }, // Spanish NIE
      { value: "RSSMRA85T10A562S" }, // Italian codice fiscale
      { value: "86095742719" }, // German Steuer-ID
    ],
  },
] as const;
