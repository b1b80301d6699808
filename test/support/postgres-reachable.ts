export { isPostgresReachable } from '../../app/postgres-reachable.js';
