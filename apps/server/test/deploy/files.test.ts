// Every YAML file of deploy/ parses, and the ones the docs name exist.

import { readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { DEPLOY, ROOT, yamlFiles } from './deploy-helpers.js';

describe('deploy/: every YAML file', () => {
  const files = yamlFiles(DEPLOY);

  it('exists where the docs say', () => {
    const names = files.map((file) => posix.normalize(file.slice(DEPLOY.length + 1).replaceAll('\\', '/')));
    expect(names).toEqual(
      expect.arrayContaining([
        'compose/compose.yaml',
        'kubernetes/configmap.yaml',
        'kubernetes/deployment.yaml',
        'kubernetes/service.yaml',
      ]),
    );
  });

  it.each(files.map((file) => [file.slice(ROOT.length)]))('%s parses', (file) => {
    for (const doc of parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'), { merge: true })) {
      expect(doc.errors.map(String), file).toEqual([]);
      expect(doc.toJS(), file).toBeTruthy();
    }
  });
});
