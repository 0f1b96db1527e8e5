/** An uploaded file as Discord describes it (attachments, a modal's file input). */
export type Upload = { name: string; size: number; url: string; contentType: string | null };
