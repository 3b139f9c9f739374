// Update faults on the A/B disk booted with SeaBIOS; the list is in slot-faults.ts.
import { defineSlotFaults } from './slot-faults';

defineSlotFaults('bios');
