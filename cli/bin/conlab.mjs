#!/usr/bin/env -S node --v8-pool-size=0
// `node cli/bin/conlab.mjs …` as before the launcher became CommonJS (cli/bin/conlab.cjs, the package's bin):
// the same launcher, after Node's ES module loader.
import './conlab.cjs'
