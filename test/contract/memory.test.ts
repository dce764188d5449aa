import { MemoryStore } from '../../src/reference/store/memory.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', () => ({ store: new MemoryStore() }));

// The same contract with a bound small enough to evict during the suite (above its most claims held at once).
describeStoreContract('memory (maxRecords 64)', () => ({ store: new MemoryStore({ maxRecords: 64 }) }));
