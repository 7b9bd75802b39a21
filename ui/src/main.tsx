import { render } from 'preact';
import { App } from './App';
import { store } from './state/hooks';
import './styles.css';

store.start();
render(<App />, document.getElementById('app')!);
