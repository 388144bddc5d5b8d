import { type ReactNode, useId } from "react";
import { useIngot } from "../context";
import { Link, useLocation } from "../router";
import { Icon, type IconName } from "./icons";

interface NavItem {
  to: string;
  label: string;
  icon: IconName;
}

const NAV: NavItem[] = [
  { to: "/", label: "Overview", icon: "overview" },
  { to: "/runs", label: "Runs", icon: "runs" },
  { to: "/events", label: "Events", icon: "events" },
  { to: "/functions", label: "Functions", icon: "functions" },
  { to: "/apps", label: "Apps", icon: "apps" },
];

const isCurrent = (item: NavItem, path: string) =>
  item.to === "/" ? path === "/" : path === item.to || path.startsWith(`${item.to}/`);

export function Layout({ children }: { children: ReactNode }) {
  const { path } = useLocation();
  const { session, signOut } = useIngot();
  return (
    <div className="shell">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <aside className="sidebar">
        <Link to="/" className="brand" aria-label="Ingot home">
          <span className="brand-mark" aria-hidden="true" />
          <span className="brand-name">Ingot</span>
          <span className={`mode-badge mode-${session.mode}`}>{session.mode}</span>
        </Link>
        <nav aria-label="Main">
          <ul className="nav-list">
            {NAV.map((item) => {
              const current = isCurrent(item, path);
              return (
                <li key={item.to}>
                  <Link
                    to={item.to}
                    className={`nav-link${current ? " active" : ""}`}
                    aria-current={current ? "page" : undefined}
                  >
                    <Icon name={item.icon} />
                    {item.label}
                  </Link>
                </li>
              );
            })}
          </ul>
        </nav>
        <div className="sidebar-footer">
          {session.required ? (
            <button type="button" className="button button-ghost button-small" onClick={signOut}>
              Sign out
            </button>
          ) : (
            <span className="muted small">Open dev server</span>
          )}
        </div>
      </aside>
      <main id="main" className="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}

export function PageHeader(props: {
  title: ReactNode;
  subtitle?: ReactNode;
  actions?: ReactNode;
  back?: { to: string; label: string };
}) {
  return (
    <header className="page-header">
      <div className="page-heading">
        {props.back ? (
          <Link to={props.back.to} className="back-link">
            ← {props.back.label}
          </Link>
        ) : null}
        <h1>{props.title}</h1>
        {props.subtitle ? <div className="page-subtitle">{props.subtitle}</div> : null}
      </div>
      {props.actions ? <div className="page-actions">{props.actions}</div> : null}
    </header>
  );
}

export function Card(props: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
  id?: string;
}) {
  const headingId = useId();
  return (
    <section
      className={`card${props.className ? ` ${props.className}` : ""}`}
      aria-labelledby={props.title ? headingId : undefined}
      id={props.id}
    >
      {props.title || props.actions ? (
        <header className="card-header">
          {props.title ? <h2 id={headingId}>{props.title}</h2> : <span />}
          {props.actions ? <div className="card-actions">{props.actions}</div> : null}
        </header>
      ) : null}
      <div className="card-body">{props.children}</div>
    </section>
  );
}
