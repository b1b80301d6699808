// The read side's refusals are AppErrors of the shared catalogue (kernel/errors.ts). This file only
// re-exports it, until every import points at kernel/ directly.
export { AppError, forbidden, notFound } from '../kernel/errors.js';
