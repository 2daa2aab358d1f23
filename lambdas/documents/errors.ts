/** Errors of the documents module. */

/** No document with that id is visible to the caller (other users' private documents are not addressable). */
export class DocumentNotFoundError extends Error {
  constructor() {
    super('document not found');
    this.name = 'DocumentNotFoundError';
  }
}

/** The caller's roles do not allow this change to tenant-visible documents. */
export class DocumentPermissionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentPermissionError';
  }
}
