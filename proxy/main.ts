/** `npm start`: one process, the PWA and the API on one port, sandbox providers mounted in-process. */
import { loadConfig } from './config.ts';
import { startStore } from './server.ts';

const config = loadConfig();
const store = await startStore(config).catch((err: NodeJS.ErrnoException) => {
  if (err.code === 'EADDRINUSE') console.error(`Port ${config.port} is already in use: stop the other process or start with PORT=<another port>.`);
  else console.error(`The proxy could not start: ${err.message}`);
  process.exit(1);
});
const shown = config.host === '0.0.0.0' ? `http://localhost:${store.port}` : `http://${config.host}:${store.port}`;

console.log(`POS proxy (${config.mode}) listening on ${shown}`);
const providerList = (providers: typeof store.providers) =>
  providers.all().map((p) => `${p.id}${p.info().ready ? '' : ' (not ready: ' + p.info().message + ')'}`).join(', ');
const chain = store.stores.all().length > 1;
if (chain) for (const s of store.stores.all()) console.log(`Store ${s.id} ${s.name}: ${providerList(s.providers)}`);
else console.log(`Providers: ${providerList(store.providers)}`);
console.log(`Data: ${config.databaseUrl ? 'PostgreSQL' : config.dataDir === ':memory:' ? 'in memory' : config.dataDir}`);
console.log(`Pairing code${chain ? ` (a till of ${store.stores.default.id})` : ''}: ${store.pairingCode}`);
console.log(`Manager pairing code${chain ? ' (the whole chain)' : ''}: ${store.managerPairingCode}`);

const stop = async (signal: string) => {
  console.log(`${signal}: stopping`);
  await store.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
