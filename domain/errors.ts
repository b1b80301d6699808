// The domain's refusals are AppErrors of the shared catalogue (kernel/errors.ts). This file only
// re-exports it, until every import points at kernel/ directly.
export { AppError, conflict, forbidden, invalid, notFound, ruleBroken, type CodeOfStatus, type ErrorDetail } from '../kernel/errors.js';
