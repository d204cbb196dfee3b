import { useI18n } from '../i18n/i18n.tsx';

export function Pager(props: {
  page: number;
  pageSize: number;
  total: number;
  onPage(page: number): void;
}) {
  const { t } = useI18n();
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  return (
    <nav className="pager" aria-label={t('pager.label')}>
      <button type="button" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)}>
        {t('pager.previous')}
      </button>
      <span>{t('pager.position', { page: props.page, pages, total: props.total })}</span>
      <button
        type="button"
        disabled={props.page >= pages}
        onClick={() => props.onPage(props.page + 1)}
      >
        {t('pager.next')}
      </button>
    </nav>
  );
}

/** The end of a paged list: what to say when it is empty, then the pager. */
export function ListEnd(props: {
  list: { page: number; pageSize: number; total: number };
  none: string;
  onPage(page: number): void;
}) {
  return (
    <>
      {props.list.total === 0 && <p>{props.none}</p>}
      <Pager
        page={props.list.page}
        pageSize={props.list.pageSize}
        total={props.list.total}
        onPage={props.onPage}
      />
    </>
  );
}
