// The few things the console asks of the browser that .NET in WebAssembly cannot do itself.
window.avcloud = {
  culture: {
    get: () => localStorage.getItem("avcloud.culture"),
    set: (name) => localStorage.setItem("avcloud.culture", name),
  },
  setDocumentLanguage: (name) => { document.documentElement.lang = name; },
  // A file the API answered (CSV, PDF, package) saved under its name: the answer was fetched with the person's token,
  // which a plain link would not carry.
  save: async (name, type, stream) => {
    const blob = new Blob([await stream.arrayBuffer()], { type });
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
  },
  media: {
    // A fresh link for a player, keeping its place and whether it was playing.
    swap: (id, url) => {
      const player = document.getElementById(id);
      if (!player) return;
      const at = player.currentTime, playing = !player.paused;
      player.addEventListener("loadedmetadata", () => {
        player.currentTime = at;
        if (playing) player.play();
      }, { once: true });
      player.src = url;
    },
  },
};
