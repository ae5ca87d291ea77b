import { nextTick, onBeforeUnmount, ref, watch, type Ref } from 'vue';

/**
 * Keeps a scrolling list at its end while the person is there: when its content grows (a new
 * message, an image that finished loading) or the list itself shrinks (the on-screen keyboard), it
 * scrolls back to the bottom, unless they had scrolled up to read.
 *
 * `scroller` is the element that scrolls, `content` the one wrapping everything inside it (a
 * ResizeObserver watches both). `slackPx` is how close to the end still counts as at the end.
 * @default slackPx 120
 */
export function useStickToBottom(scroller: Ref<HTMLElement | null>, content: Ref<HTMLElement | null>, slackPx = 120) {
  const stuck = ref(true);
  const jump = () => {
    const el = scroller.value;
    if (el) el.scrollTop = el.scrollHeight;
  };
  const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => stuck.value && jump());

  // The elements come and go with the room (v-if): observe whichever are there.
  watch(
    [scroller, content],
    (elements) => {
      observer?.disconnect();
      for (const el of elements) if (el) observer?.observe(el);
    },
    { flush: 'post', immediate: true },
  );
  onBeforeUnmount(() => observer?.disconnect());

  return {
    stuck,
    /** After the next render: scrolls to the end and stays there. */
    toBottom: () =>
      nextTick(() => {
        stuck.value = true;
        jump();
      }),
    /** For the scroller's scroll event: whether the person left the end, or came back to it. */
    onScroll: () => {
      const el = scroller.value;
      if (el) stuck.value = el.scrollHeight - el.scrollTop - el.clientHeight < slackPx;
    },
  };
}
