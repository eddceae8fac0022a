// A Sockudo node whose apps live only in PostgreSQL: the end-to-end checks every app manager here passes.

import { sqlEndToEndTests } from '../../../app-manager-sql/test/helpers/sql-app-manager-cases.js';
import { postgresTestDatabase } from '../helpers/postgres.js';

sqlEndToEndTests(postgresTestDatabase, 'createPostgresAppManager');
