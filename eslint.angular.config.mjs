import nx from '@nx/eslint-plugin';
import baseConfig from './eslint.config.mjs';

/** The console's projects (apps/web, libs/web/*): Angular rules on top of the workspace config. */
export default [
  ...nx.configs['flat/angular'],
  ...nx.configs['flat/angular-template'],
  ...baseConfig,
  {
    files: ['**/*.ts'],
    rules: {
      '@angular-eslint/directive-selector': ['error', { type: 'attribute', prefix: 'syl', style: 'camelCase' }],
      '@angular-eslint/component-selector': ['error', { type: 'element', prefix: 'syl', style: 'kebab-case' }],
    },
  },
];
