// CloudSim 3.0.3 reference figures for PlanetLab 2011-03-03 (traces shipped in scenarios/traces/).
import { referenceSuite } from './reference-suite'

referenceSuite('20110303', undefined, true)
