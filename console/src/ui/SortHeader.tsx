// A column header that sorts the table: a button inside the header cell, and aria-sort on it.

export function SortHeader(props: {
  label: string;
  column: string;
  sort: string;
  onSort(sort: string): void;
}) {
  const ascending = props.sort === props.column;
  const descending = props.sort === `-${props.column}`;
  const state = ascending ? 'ascending' : descending ? 'descending' : 'none';
  return (
    <th scope="col" aria-sort={state}>
      <button
        type="button"
        className="sort"
        onClick={() => props.onSort(ascending ? `-${props.column}` : props.column)}
      >
        {props.label}
        <span aria-hidden="true">{ascending ? ' ▲' : descending ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}
