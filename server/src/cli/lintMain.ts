import { run } from './lint';

run();
