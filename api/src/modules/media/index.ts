/** The media module's public entry: other modules import from here only. */
import { PhotoResolver } from './photo.resolver';
import { Upload } from './upload.entity';

export { createMediaModule, type MediaModule } from './media.module';
export type { MediaService, UploadReferences } from './media.service';
export { ImageObject } from './image.types';

/** The module's tables, for the composition root's entity registry. */
export const mediaEntities = [Upload];

/** The module's resolver classes, for the composition root's schema registry. */
export const mediaResolverClasses = [PhotoResolver];
