import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startJobTracking } from './stores/jobs';
import { startRunTracking } from './stores/run';
import { startRunMemory } from './stores/run-memory';
import { startSession } from './stores/session';
import './styles/app.css';

startSession();
startJobTracking();
startRunTracking();
startRunMemory();

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root element');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
