// Runs verdaccio (the registry the round trip publishes to) on 127.0.0.1 with an OS-chosen port, and
// prints the URL once it listens. Usage: node start-verdaccio.mjs <config.yaml>

import { runServer } from 'verdaccio';

const server = await runServer(process.argv[2]);
server.listen(0, '127.0.0.1', () => {
  console.log(`registry listening on http://127.0.0.1:${server.address().port}/`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.once(signal, () => server.close(() => process.exit(0)));
