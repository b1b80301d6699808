export * from './key-store.js';
export { createPostgresKeyStore, type PostgresKeyStore, type PostgresKeyStoreOptions } from './key-store-postgres.js';
export { createPersonalDataEventStore, type PersonalDataStoreOptions } from './personal-data-event-store.js';
export { personalFields, personalFieldsOf, personalEventTypes, ERASED_URL } from './personal-fields.js';
export { sealStoredPersonalData, type SealStoredProgress } from './seal-stored-postgres.js';
