import { setupZonelessTestEnv } from 'jest-preset-angular/setup-env/zoneless';
import { MATERIAL_ANIMATIONS } from '@angular/material/core';

// Material's dialogs and menus wait for CSS animations that jsdom never runs.
setupZonelessTestEnv({
  extraProviders: [{ provide: MATERIAL_ANIMATIONS, useValue: { animationsDisabled: true } }],
});

// jsdom lays nothing out, so the CDK thinks dialog buttons are not focusable; that warning
// says nothing about the app. Every other warning still shows.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === 'string' && args[0].includes('[cdkFocusInitial]')) return;
  warn(...args);
};
