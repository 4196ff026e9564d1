// React 19 with alexnet-web: <alexnet-classifier> in JSX (typed by 'alexnet-web/react') and the API
// in an effect that disposes its classifier when the component goes.
import { useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createClassifier } from 'alexnet-web';
import 'alexnet-web/element';
import type {} from 'alexnet-web/react';
import sneaker from './sneaker.png';

function Answer({ image }: { image: string }) {
  const [answer, setAnswer] = useState('Classifying…');
  useEffect(() => {
    let gone = false;
    const loading = createClassifier();
    loading
      .then(async (classifier) => {
        const [best] = await classifier.classify(image);
        if (!gone) setAnswer(`${best.label} (${(best.score * 100).toFixed(1)}%) on ${classifier.backend}`);
      })
      .catch((error) => !gone && setAnswer(`${error.code}: ${error.message}`));
    return () => {
      gone = true;
      void loading.then((classifier) => classifier.dispose(), () => undefined);
    };
  }, [image]);
  return <p id="api">{answer}</p>;
}

function App() {
  return (
    <main>
      <h1>alexnet-web with React</h1>
      <alexnet-classifier src={sneaker} top-k={3} />
      <Answer image={sneaker} />
    </main>
  );
}

createRoot(document.getElementById('root')!).render(<App />);
