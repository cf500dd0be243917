// The few things the console asks of the browser that .NET in WebAssembly cannot do itself.
window.avcloud = {
  culture: {
    get: () => localStorage.getItem("avcloud.culture"),
    set: (name) => localStorage.setItem("avcloud.culture", name),
  },
  setDocumentLanguage: (name) => { document.documentElement.lang = name; },
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
