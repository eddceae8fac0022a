// A Sockudo node whose apps live only in MySQL: the end-to-end checks every app manager here passes.

import { sqlEndToEndTests } from '@sockudo/test-helpers/sql-app-manager-cases';
import { mysqlTestDatabase } from '../helpers/mysql.js';

sqlEndToEndTests(mysqlTestDatabase, 'createMysqlAppManager');
