export { REPORT_VERSION } from '@manifest-lab/report';
