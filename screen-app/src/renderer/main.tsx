// Renderer entry: picks the transport and mounts the screen.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app.tsx';
import { createUiApi } from './client/ui-client.ts';
import './styles.css';

const root = document.getElementById('root');
if (root !== null) {
  createRoot(root).render(
    <StrictMode>
      <App api={createUiApi()} />
    </StrictMode>,
  );
}
