/** The email as signers will see it, in the sandboxed frame (web/public/preview-frame.html):
 * the app posts the preview's HTML to it, and sizes it by the height it reports. The frame
 * has an opaque origin and a policy of its own: nothing of the email can reach the app. */
import { useEffect, useRef, useState } from "preact/hooks";
import { href } from "../router";
import { t } from "./messages";

type Width = "phone" | "desktop";

export function EmailPreview(props: { html: string | null }) {
  const frame = useRef<HTMLIFrameElement>(null);
  const [ready, setReady] = useState(false);
  const [width, setWidth] = useState<Width>("phone");

  useEffect(() => {
    const listen = (event: MessageEvent) => {
      const element = frame.current;
      if (!element || event.source !== element.contentWindow) return;
      const data = event.data as { type?: string; height?: unknown };
      if (data?.type === "preview-ready") setReady(true);
      if (data?.type === "preview-height" && typeof data.height === "number") {
        element.style.height = `${Math.min(Math.max(data.height, 200), 4000)}px`;
      }
    };
    window.addEventListener("message", listen);
    return () => window.removeEventListener("message", listen);
  }, []);

  useEffect(() => {
    const target = frame.current?.contentWindow;
    // The frame's origin is opaque (sandboxed): "*" is the only target that reaches it.
    if (ready && target && props.html !== null) {
      target.postMessage({ type: "preview-html", html: props.html }, "*");
    }
  }, [ready, props.html]);

  return (
    <div class="email-preview">
      <div class="preview-widths" role="group" aria-label={t("previewWidths")} hidden={props.html === null}>
        {(["phone", "desktop"] as const).map((choice) => (
          <button
            key={choice}
            type="button"
            class="button button-quiet"
            aria-pressed={width === choice}
            onClick={() => setWidth(choice)}
          >
            {choice === "phone" ? t("previewPhone") : t("previewDesktop")}
          </button>
        ))}
      </div>
      <div class={props.html === null ? "preview-viewport empty" : "preview-viewport"}>
        <iframe
          ref={frame}
          class={`preview-frame preview-${width}`}
          src={href("/preview-frame.html")}
          sandbox="allow-scripts"
          title={t("previewFrameTitle")}
          data-width={width}
          onLoad={() => setReady(true)}
        />
      </div>
    </div>
  );
}
