import { writeFileSync } from 'node:fs';
import { generateRuleset } from '../bench/generate';
writeFileSync('/tmp/prof/100k.rules', generateRuleset(100000));
