/** Arabic has six plural forms (0, 1, 2, 3–10, 11–99, 100…): `Intl.PluralRules` picks one. */
const rules = new Intl.PluralRules('ar');

export type Forms = Record<Intl.LDMLPluralRule, (count: number) => string>;

export function counted(count: number, forms: Forms): string {
  return forms[rules.select(count)](count);
}
