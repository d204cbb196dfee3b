import { Link } from 'wouter';
import { useI18n } from '../../i18n/i18n.tsx';
import { Heading } from '../../ui/Heading.tsx';

export function NotFound() {
  const { t } = useI18n();
  return (
    <>
      <Heading>{t('notFound.title')}</Heading>
      <p>{t('notFound.body')}</p>
      <p>
        <Link href="/">{t('notFound.back')}</Link>
      </p>
    </>
  );
}
