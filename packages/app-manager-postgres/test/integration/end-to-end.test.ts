// A Sockudo node whose apps live only in PostgreSQL: the end-to-end checks every app manager here passes.

import { sqlEndToEndTests } from '@sockudo/test-helpers/sql-app-manager-cases';
import { postgresTestDatabase } from '../helpers/postgres.js';

sqlEndToEndTests(postgresTestDatabase, 'createPostgresAppManager');
