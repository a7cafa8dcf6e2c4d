// CloudSim 3.0.3 reference figures for PlanetLab 2011-03-06 (traces from ../shared/data when present).
import { join } from 'node:path'
import { referenceSuite } from './reference-suite'
import { SHARED_PLANETLAB, hasSharedData } from '../helpers'

referenceSuite('20110306', join(SHARED_PLANETLAB, '20110306'), hasSharedData)
