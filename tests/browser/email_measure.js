// Measured in each layout of an email (tests/browser/test_email_layout.py).
() => {
    const parse = (value) => {
        const m = value.match(/rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)/);
        return m ? {rgb: [+m[1], +m[2], +m[3]], alpha: m[4] === undefined ? 1 : +m[4]} : null;
    };
    const lum = ([r, g, b]) => {
        const c = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
        return 0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b);
    };
    const ratio = (a, b) => {
        const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p);
        return (x + 0.05) / (y + 0.05);
    };
    const canvas = parse(getComputedStyle(document.documentElement).backgroundColor);
    const dark = matchMedia('(prefers-color-scheme: dark)').matches;
    const fallback = canvas && canvas.alpha > 0 ? canvas.rgb : (dark ? [18, 18, 18] : [255, 255, 255]);
    const low = [];
    for (const element of document.body.querySelectorAll('*')) {
        const own = [...element.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
        const style = getComputedStyle(element);
        const box = element.getBoundingClientRect();
        if (!own || style.display === 'none' || style.visibility === 'hidden' || box.width === 0
            || style.opacity === '0' || style.maxHeight === '0px') continue;
        let background = null;
        for (let node = element; node && node !== document.documentElement; node = node.parentElement) {
            const found = parse(getComputedStyle(node).backgroundColor);
            if (found && found.alpha > 0) { background = found.rgb; break; }
        }
        const value = ratio(parse(style.color).rgb, background || fallback);
        if (value < MIN_CONTRAST) low.push([element.tagName, element.textContent.trim().slice(0, 40), +value.toFixed(2)]);
    }
    return {
        document: document.documentElement.scrollWidth,
        widest: Math.max(...[...document.querySelectorAll('body *')].map(e => e.getBoundingClientRect().right)),
        text: document.body.innerText.length,
        low,
        images: [...document.images].map(i => [i.naturalWidth, i.naturalHeight, i.getBoundingClientRect().width, i.getBoundingClientRect().height]),
    };
}
