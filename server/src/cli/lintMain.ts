import { run } from './lint';
import { tuneHeap } from '../heap';

tuneHeap();
run();
