// The few things the console asks of the browser that .NET in WebAssembly cannot do itself.
window.avcloud = {
  culture: {
    get: () => localStorage.getItem("avcloud.culture"),
    set: (name) => localStorage.setItem("avcloud.culture", name),
  },
  setDocumentLanguage: (name) => { document.documentElement.lang = name; },
};
