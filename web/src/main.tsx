// Canvass's pages, one bundle, hash routes: #/ results, #/precinct/ID, #/chair, #/operator,
// #/campaign, #/admin, #/national, #/audit, #/conventions and #/conventions/NAME; the conventions'
// officers at #/officer and voters at #/voter (linked from #/conventions); #/districts, a plan's
// geographic distribution.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { AdminPage } from './pages/Admin';
import { AuditPage } from './pages/Audit';
import { CampaignPage } from './pages/Campaign';
import { ChairPage } from './pages/Chair';
import { ConventionsPage } from './pages/Conventions';
import { OfficerPage, VoterPage } from './pages/ConventionDesk';
import { DistrictsPage } from './pages/Districts';
import { OperatorPage } from './pages/Operator';
import { PrecinctPage } from './pages/PrecinctPage';
import { NationalPage } from './pages/National';
import { ResultsPage } from './pages/Results';
import { startOutbox } from './queue';
import './style.css';

function useHash(): string {
  const [hash, setHash] = useState(location.hash);
  useEffect(() => {
    const on = () => setHash(location.hash);
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return hash.replace(/^#/, '') || '/';
}

const NAV: [string, string][] = [
  ['/', 'Results'],
  ['/national', 'National'],
  ['/audit', 'Audit'],
  ['/conventions', 'Conventions'],
  ['/districts', 'Districts'],
  ['/chair', 'Chair'],
  ['/operator', 'Hotline'],
  ['/campaign', 'Campaign'],
  ['/admin', 'Admin'],
];

function App() {
  const route = useHash();
  const precinct = /^\/precinct\/(\d+)$/.exec(route);
  const convention = /^\/conventions(?:\/([^/]+))?$/.exec(route);
  let page;
  let title = 'Results';
  if (precinct) {
    page = <PrecinctPage id={Number(precinct[1])} />;
    title = 'Precinct';
  } else if (route === '/national') {
    page = <NationalPage />;
    title = 'National';
  } else if (convention) {
    let name = convention[1];
    try {
      name = name ? decodeURIComponent(name) : undefined;
    } catch {
      // A malformed %-escape: the name as typed, which the server then reports unknown.
    }
    page = <ConventionsPage name={name} />;
    title = name ? `Convention ${name}` : 'Conventions';
  } else if (route === '/districts') {
    page = <DistrictsPage />;
    title = 'Geographic distribution';
  } else if (route === '/audit') {
    page = <AuditPage />;
    title = 'Audit';
  } else if (route === '/chair') {
    page = <ChairPage />;
    title = 'Chair';
  } else if (route === '/operator') {
    page = <OperatorPage />;
    title = 'Hotline';
  } else if (route === '/campaign') {
    page = <CampaignPage />;
    title = 'Campaign';
  } else if (route === '/officer') {
    page = <OfficerPage />;
    title = 'Convention officer';
  } else if (route === '/voter') {
    page = <VoterPage />;
    title = 'Convention voter';
  } else if (route === '/admin') {
    page = <AdminPage />;
    title = 'Admin';
  } else {
    page = <ResultsPage />;
  }
  useEffect(() => {
    document.title = `${title} · Canvass`;
  }, [title]);
  const current = precinct ? '/' : convention ? '/conventions' : route;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>
        Skip to content
      </a>
      <header class="top">
        <span class="brand">Canvass</span>
        <nav aria-label="Pages">
          <ul>
            {NAV.map(([href, label]) => (
              <li key={href}>
                <a href={`#${href}`} aria-current={current === href ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}

startOutbox();
render(<App />, document.getElementById('app')!);
