/** The yoke mark: a crossbar over two bows, drawn as inline SVG (no asset request, CSP-safe). */
export function Logo({ size = 18 }: { size?: number }) {
  return (
    <svg className="logo" width={size} height={size} viewBox="0 0 32 32" aria-hidden="true" focusable="false">
      <rect x="1" y="1" width="30" height="30" rx="7" className="logo-bg" />
      <path d="M7 10h18" className="logo-stroke" />
      <path d="M10 10v5a3 3 0 0 0 6 0M16 15a3 3 0 0 0 6 0v-5" className="logo-stroke" />
      <path d="M16 15v9" className="logo-stroke" />
    </svg>
  );
}
