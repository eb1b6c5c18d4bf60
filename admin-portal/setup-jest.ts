import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';

// Material's dialogs and menus wait for CSS animations that jsdom never runs.
setupZonelessTestEnv({
  extraProviders: [{ provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
});
