import { Spinner } from "./states";

export function LoadMore(props: {
  hasMore: boolean;
  loading: boolean;
  error: Error | undefined;
  onLoad(): Promise<void>;
  label: string;
}) {
  if (!props.hasMore) return null;
  return (
    <div className="load-more">
      <button
        type="button"
        className="button"
        disabled={props.loading}
        onClick={() => void props.onLoad()}
      >
        {props.loading ? <Spinner /> : null} {props.label}
      </button>
      {props.error ? <p className="field-error">{props.error.message}</p> : null}
    </div>
  );
}
