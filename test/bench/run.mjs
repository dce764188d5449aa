// `npm run bench` entry point: the reference server benchmark (see reference.mjs).
import './reference.mjs';
