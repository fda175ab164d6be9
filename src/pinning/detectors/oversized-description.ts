/**
 * `oversized-description` (warning): a text longer than a person reviews. A long description is
 * where poisoned instructions get buried, and a confirmation dialog shows only its start. The
 * thresholds, in UTF-16 code units:
 * - a tool's description: DESCRIPTION_LIMIT (4,000, about a printed page);
 * - a title (the tool's or annotations.title): TITLE_LIMIT (200);
 * - a description or title inside an input or output schema: SCHEMA_TEXT_LIMIT (1,000);
 * - the server's instructions: INSTRUCTIONS_LIMIT (10,000).
 * A text longer than the scan limit is an error reported where the texts are gathered (fields.ts).
 */

import type { Finding } from '../findings';
import type { FieldText } from '../fields';
import { finding, type Detector } from './detector';

export const DESCRIPTION_LIMIT = 4_000;
export const TITLE_LIMIT = 200;
export const SCHEMA_TEXT_LIMIT = 1_000;
export const INSTRUCTIONS_LIMIT = 10_000;

const LIMITS: Record<FieldText['kind'], number | undefined> = {
  description: DESCRIPTION_LIMIT,
  title: TITLE_LIMIT,
  'schema-text': SCHEMA_TEXT_LIMIT,
  instructions: INSTRUCTIONS_LIMIT,
  other: undefined,
};

export const oversizedDescription: Detector = (field: FieldText, _context, out: Finding[]) => {
  const limit = LIMITS[field.kind];
  if (limit === undefined || field.fullLength !== undefined || field.text.length <= limit) return;
  const length = field.text.length;
  out.push(
    finding(field, 'oversized-description', 'warning', limit, length,
      `${length} characters long, over the ${limit} a person can be expected to review; instructions can be buried in it`),
  );
};
