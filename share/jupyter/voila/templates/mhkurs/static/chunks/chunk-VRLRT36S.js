var n={"&":"&amp;","<":"&lt;",">":"&gt;",'"':"&quot;","'":"&#39;","`":"&#96;","=":"&#61;"};function r(t){return String(t).replace(/[&<>"'`=]/g,e=>n[e])}export{r as a};
