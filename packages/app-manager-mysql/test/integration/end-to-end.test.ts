// A Sockudo node whose apps live only in MySQL: the end-to-end checks every app manager here passes.

import { sqlEndToEndTests } from '../../../app-manager-sql/test/helpers/sql-app-manager-cases.js';
import { mysqlTestDatabase } from '../helpers/mysql.js';

sqlEndToEndTests(mysqlTestDatabase, 'createMysqlAppManager');
