import { MemoryStore } from '../../src/reference/store/memory.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('memory', () => ({ store: new MemoryStore() }));
