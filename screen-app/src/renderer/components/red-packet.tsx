// The red packet drawn in SVG: the built-in creative and the prize card need no image files.
export function RedPacket({ className, open = false }: { className?: string; open?: boolean }) {
  return (
    <svg
      className={className}
      viewBox={open ? '0 -70 200 350' : '0 0 200 280'}
      role="img"
      aria-label="红包 red packet"
    >
      <defs>
        <linearGradient id="rp-body" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0" stopColor="#F0313B" />
          <stop offset="1" stopColor="#B0001A" />
        </linearGradient>
        <linearGradient id="rp-flap" x1="0" y1="0" x2="0" y2="1">
          <stop offset="0" stopColor="#D41524" />
          <stop offset="1" stopColor="#A50018" />
        </linearGradient>
        <radialGradient id="rp-gold" cx="0.4" cy="0.35" r="0.75">
          <stop offset="0" stopColor="#FFF1B8" />
          <stop offset="0.55" stopColor="#FFD36B" />
          <stop offset="1" stopColor="#D99A1E" />
        </radialGradient>
      </defs>
      {open && (
        <>
          {/* The flap folded back, and the gift card rising out of the packet. */}
          <path d="M10 28 Q10 16 22 14 L100 -58 L178 14 Q190 16 190 28 Z" fill="url(#rp-flap)" />
          <rect
            x="34"
            y="-34"
            width="132"
            height="110"
            rx="8"
            fill="url(#rp-gold)"
            stroke="#B97A10"
            strokeWidth="2"
          />
          <text x="100" y="6" textAnchor="middle" fontSize="40" fontWeight="800" fill="#B0001A">
            ¥
          </text>
        </>
      )}
      <rect x="10" y="10" width="180" height="260" rx="18" fill="url(#rp-body)" />
      <rect
        x="20"
        y="20"
        width="160"
        height="240"
        rx="12"
        fill="none"
        stroke="#FFD36B"
        strokeOpacity="0.45"
        strokeWidth="2"
      />
      {!open && (
        <>
          <path d="M10 28 Q10 10 28 10 H172 Q190 10 190 28 V74 Q100 140 10 74 Z" fill="url(#rp-flap)" />
          <path
            d="M10 74 Q100 140 190 74"
            fill="none"
            stroke="#7E0012"
            strokeOpacity="0.35"
            strokeWidth="3"
          />
        </>
      )}
      <circle cx="100" cy={open ? 130 : 112} r="31" fill="url(#rp-gold)" stroke="#B97A10" strokeWidth="2.5" />
      <text
        x="100"
        y={open ? 142 : 124}
        textAnchor="middle"
        fontSize="34"
        fontWeight="700"
        fill="#B0001A"
        fontFamily="'Noto Sans CJK SC','PingFang SC','Microsoft YaHei','WenQuanYi Micro Hei',sans-serif"
      >
        福
      </text>
      <text
        x="100"
        y="246"
        textAnchor="middle"
        fontSize="15"
        letterSpacing="4"
        fill="#FFD36B"
        fillOpacity="0.9"
        fontWeight="700"
      >
        REDTAP
      </text>
    </svg>
  );
}

/** A phone with NFC waves, for the call to action. */
export function TapIcon({ className }: { className?: string }) {
  return (
    <svg className={className} viewBox="0 0 120 120" aria-hidden="true">
      <rect x="30" y="14" width="46" height="86" rx="9" fill="none" stroke="#FFE6A6" strokeWidth="6" />
      <rect x="46" y="88" width="14" height="4" rx="2" fill="#FFE6A6" />
      <path
        className="wave wave-1"
        d="M86 44 Q96 57 86 70"
        fill="none"
        stroke="#FFD36B"
        strokeWidth="6"
        strokeLinecap="round"
      />
      <path
        className="wave wave-2"
        d="M96 34 Q112 57 96 80"
        fill="none"
        stroke="#FFD36B"
        strokeWidth="6"
        strokeLinecap="round"
      />
    </svg>
  );
}
