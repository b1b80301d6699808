import { invalid } from '../errors.js';
import type { FieldIssue } from '../errors.js';

// Instagram's limits for the name and bio shown on a profile. Counted in code points, so an
// emoji counts once, as the app's counter shows it.
export const DISPLAY_NAME_MAX_LENGTH = 30;
export const BIO_MAX_LENGTH = 150;

const length = (text: string) => [...text].length;

export const assertProfileFields = (fields: { displayName?: string | undefined; bio?: string | undefined }): void => {
  const issues: FieldIssue[] = [];
  if (fields.displayName !== undefined && length(fields.displayName) > DISPLAY_NAME_MAX_LENGTH) {
    issues.push({ path: 'displayName', message: `at most ${DISPLAY_NAME_MAX_LENGTH} characters` });
  }
  if (fields.bio !== undefined && length(fields.bio) > BIO_MAX_LENGTH) {
    issues.push({ path: 'bio', message: `at most ${BIO_MAX_LENGTH} characters` });
  }
  if (issues.length > 0) throw invalid('PROFILE_FIELD_TOO_LONG', 'A profile field is too long', issues);
};
