import { emptyThread, mergeServerMessages, type ServerMessage, type Thread } from '../chat/merge';

/** A room's thread as the chat store holds it: the merged messages plus paging and typing state. */
export interface ThreadState extends Thread {
  /** Older history exists before `startCursor`. */
  hasOlder: boolean;
  startCursor: string | null;
  loadingOlder: boolean;
  /** Until when (epoch ms) the peer shows as typing. */
  peerTypingUntil: number;
}

export const newThread = (): ThreadState => ({
  ...emptyThread(),
  hasOlder: false,
  startCursor: null,
  loadingOlder: false,
  peerTypingUntil: 0,
});

/** Read and replace one room's thread (the store's state), and merge server messages into it. */
export interface ThreadAccess {
  thread(roomId: string): ThreadState;
  setThread(roomId: string, next: ThreadState): void;
  merge(roomId: string, messages: readonly ServerMessage[]): void;
}

/** ThreadAccess over a record of threads held in `read()` / `write()`; `myId` tells own messages apart. */
export function threadAccess(
  read: () => Record<string, ThreadState>,
  write: (next: Record<string, ThreadState>) => void,
  myId: () => string,
): ThreadAccess {
  const thread = (roomId: string): ThreadState => read()[roomId] ?? newThread();
  const setThread = (roomId: string, next: ThreadState) => write({ ...read(), [roomId]: next });
  const merge = (roomId: string, messages: readonly ServerMessage[]) => {
    const t = thread(roomId);
    setThread(roomId, { ...t, ...mergeServerMessages(t, messages, myId()) });
  };
  return { thread, setThread, merge };
}
